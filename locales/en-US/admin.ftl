# Payment methods, properties, access control, activity log, documents (en-US)
