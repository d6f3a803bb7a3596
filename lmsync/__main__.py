from lmsync.cli import main

main()
