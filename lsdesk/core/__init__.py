"""The core of lsdesk: Lessonspace, the key store and the use cases. No Qt here."""
