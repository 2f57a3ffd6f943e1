"""The admin desk in a browser: a front end, like the bot and the CLI, over the same
answer log and store. `newsdesk web` serves it (cli/web_cmd.py)."""
