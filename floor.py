from floorapp.cli import main

main()
