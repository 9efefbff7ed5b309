from bot.channels.cli import main

raise SystemExit(main())
