// Placeholder replaced by the validation build step.
