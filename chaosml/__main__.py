from chaosml.cli.app import main

main()
