from ui.cli import main

main(prog_name="finder")
