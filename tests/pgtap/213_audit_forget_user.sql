-- Issue 17: a deleted user's e-mail and comment text leave the audit log; the id and the facts stay.
BEGIN;
SELECT plan(10);

INSERT INTO diary.segments (segment_id, street, length_m, geometry)
VALUES ('f1', 'Forget St', 100, ST_GeomFromText('LINESTRING(-75.3 39.6, -75.299 39.6)', 4326));
SELECT api.sign_up('leaving@example.org', 'a long enough password', 'Leaving Person') ->> 'user_id' AS leaving \gset
SELECT api.sign_up('staying@example.org', 'a long enough password') ->> 'user_id' AS staying \gset
SELECT api.log_in('leaving@example.org', 'a wrong password');
SELECT tests.act_as_user(:'leaving');
SELECT api.submit_rating('f1', 2, comment => 'I walk here from 12 Elm Street every day');
SELECT tests.act_as_user(:'staying');
SELECT api.submit_rating('f1', 4, comment => 'fine for me');
SELECT tests.act_as_nobody();
SELECT ok(EXISTS (SELECT FROM audit.log WHERE log::text LIKE '%12 Elm Street%') AND EXISTS (SELECT FROM audit.log WHERE log::text LIKE '%leaving@example.org%'),
          'before the deletion the log holds the e-mail and the comment');

SELECT tests.act_as_user(:'leaving');
SELECT api.delete_account();
SELECT tests.act_as_nobody();
SET CONSTRAINTS ALL IMMEDIATE;  -- the forgetting runs at commit

SELECT is_empty($$ SELECT log_id FROM audit.log WHERE log::text LIKE '%leaving@example.org%' $$, 'the e-mail is gone from the log');
SELECT is_empty($$ SELECT log_id FROM audit.log WHERE log::text LIKE '%12 Elm Street%' OR log::text LIKE '%Leaving Person%' $$,
                'the comment and the display name are gone');
SELECT is((SELECT count(*)::integer FROM audit.log WHERE table_name = 'auth.users' AND operation = 'DELETE' AND user_id = :'leaving'), 1,
          'the deletion itself is logged, with the id');
SELECT is((SELECT old_data FROM audit.log WHERE table_name = 'auth.users' AND operation = 'DELETE' AND user_id = :'leaving') ? 'user_id', true,
          'its row keeps the id');
SELECT is((SELECT count(*)::integer FROM audit.log WHERE table_name = 'diary.ratings' AND user_id = :'leaving'
             AND coalesce(new_data, old_data) ->> 'rating' = '2'), 2,
          'the rating''s insert and its deletion stay, with the rating');
SELECT is((SELECT new_data ->> 'comment' FROM audit.log WHERE table_name = 'diary.ratings' AND user_id = :'staying'), 'fine for me',
          'another user''s comment stays');
SELECT is((SELECT count(*)::integer FROM auth.login_failures WHERE email = 'leaving@example.org'), 0, 'the failed log-ins of the e-mail are gone');

SELECT trigger_is('auth', 'users', 'users_forget', 'audit', 'forget_user', 'deleting a user runs audit.forget_user (deferred to commit)');
SELECT is(audit.without_personal_data('{"email": "a@example.org", "display_name": "A", "comment": "c", "geometry": {}, "score": 3}'),
          '{"score": 3}'::jsonb, 'audit.without_personal_data keeps what is not personal');
SELECT * FROM finish();
ROLLBACK;
