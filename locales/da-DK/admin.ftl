# Payment methods, properties, access control, activity log, documents (da-DK)
