-- An agent's saved conversation is sent to the model again, byte for byte, when its step resumes:
-- jsonb reorders object keys (shorter keys first), so a resumed request differed from the one the
-- conversation began with (the tool schemas, tool inputs) and missed the prompt cache. json keeps
-- the text as written.
ALTER TABLE agent_sessions ALTER COLUMN state TYPE json USING state::json;
