from povmon.cli import main

main()
