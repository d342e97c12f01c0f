-- Placeholder: version 0014 belongs to another branch of issue 6. Migrations must be numbered without
-- gaps, so this keeps 0016 applicable until that branch lands; delete this file when the real 0014 is
-- merged.
SELECT 1;
