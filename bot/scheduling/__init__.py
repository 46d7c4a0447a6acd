"""psp-bot's sense of time: meetings with reminders and agendas, acknowledgement escalation
and decision follow-up. What is due at an instant is computed by pure functions over plain
records (planner.py); APScheduler only wakes the bot (service.py)."""
