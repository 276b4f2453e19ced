"""Team work: the shared git repository, members, sync."""
