-- permaslug_author(slug): the lab, the text before `/` of a permaslug; NULL for `other` and for
-- a slug without `/`. One definition for every table that splits the author out
-- (model_share_daily, model_segment_share_daily). TEMP: it lives on the connection that builds.
CREATE OR REPLACE TEMP MACRO permaslug_author(slug) AS
    CASE
        WHEN slug <> 'other' AND position('/' IN slug) > 0
        THEN substr(slug, 1, position('/' IN slug) - 1)
    END
