"""The meeting as the record: prepare the agenda, run the meeting from chat, and its
minutes (Markdown and PDF), sealed, audited and under the retention rules."""
