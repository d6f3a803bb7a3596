from lmsync.cli import console

console()
