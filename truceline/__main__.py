from truceline.cli import main

main()
