"""Background work as areas ask for it: a job, by name, once the current transaction commits."""
