-- The JSON value null of a json/jsonb column ('null'::jsonb) beside SQL NULL: both are JSON null in the stored images,
-- so each version names the first kind (before.<col>, after.<col>), as ChangeEvent.jsonNulls does. Older versions: none.
-- A constant default: no table rewrite.
ALTER TABLE dm_version ADD COLUMN json_nulls text[] NOT NULL DEFAULT '{}';
