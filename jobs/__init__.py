"""Background work driven by APScheduler (PTB's JobQueue): reminders, broadcasts."""
