"""What is under test: URLs, profile, discovered capabilities, and the emulator's control plane client."""
