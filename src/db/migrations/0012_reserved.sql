-- Placeholder: version 0012 belongs to another branch of issue 6 (monitor core). Migrations must be
-- numbered without gaps, so this keeps 0013 applicable until that branch lands; delete this file
-- when the real 0012 is merged.
SELECT 1;
