-- One instance owner, enforced by the database: two first-run setups racing each other cannot
-- both create one (the loser's whole setup is rolled back).
CREATE UNIQUE INDEX users_one_instance_owner ON users (is_instance_owner) WHERE is_instance_owner = 1;
