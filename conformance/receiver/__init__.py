"""The upload receiver: catches the uploads of seed 003 and logs each one durably (JSONL) before answering."""
