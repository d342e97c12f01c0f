-- Placeholder: version 0015 belongs to another branch of issue 6. Migrations must be numbered without
-- gaps, so this keeps 0016 applicable until that branch lands; delete this file when the real 0015 is
-- merged.
SELECT 1;
