from superset_iac.cli import main

main()
