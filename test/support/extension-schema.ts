/**
 * A small Pagila-shaped database for the extension tests (films, their language and reviews, a
 * keyless log), named as Pagila names them so the README's examples run on both: 120 films, so a
 * page of 100 parents shows whether an extension's reads batch.
 */
export const EXTENSION_SCHEMA_SQL = `
  CREATE TABLE public.language (language_id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE public.film (
    film_id serial PRIMARY KEY,
    title text NOT NULL,
    description text,
    language_id integer NOT NULL REFERENCES public.language,
    length smallint,
    rental_rate numeric(4,2) NOT NULL DEFAULT 4.99,
    replacement_cost bigint
  );
  CREATE TABLE public.review (
    review_id serial PRIMARY KEY,
    film_id integer NOT NULL REFERENCES public.film,
    stars integer NOT NULL CHECK (stars BETWEEN 1 AND 5),
    body text
  );
  -- No key: a keyless type.
  CREATE TABLE public.film_log (film_id integer REFERENCES public.film, note text NOT NULL);
  INSERT INTO public.language (name) VALUES ('English'), ('French');
  INSERT INTO public.film (title, description, language_id, length, rental_rate, replacement_cost)
    SELECT 'Film ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'About film ' || i END, 1 + i % 2, 60 + i, (0.99 + i % 5)::numeric(4,2), 9007199254740993 + i
    FROM generate_series(1, 120) AS i;
  INSERT INTO public.review (film_id, stars, body)
    SELECT 1 + (i * 7) % 120, 1 + i % 5, 'review ' || i FROM generate_series(1, 300) AS i;
  INSERT INTO public.film_log (film_id, note) VALUES (1, 'restored'), (2, 'dubbed'), (2, 'subtitled');
`
