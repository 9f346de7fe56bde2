"""What is under test: URLs, profile, discovered capabilities, its control plane client, scenario seeding."""
