/**
 * Mutations on Pagila and Chinook: nested creates through join tables and child tables, updates
 * and deletes by composite keys, upserts on a unique index, typed errors, each checked with SQL.
 */
import { describe, expect, it } from 'vitest'
import { useFixture } from './fixture.js'

describe('Pagila', () => {
  const fx = useFixture('pagila', { schemas: ['public'] })

  it('creates a film with its actors connected through film_actor, an enum and a text array', async () => {
    const data = await fx.api.data(`mutation {
      createFilm(data: { title: "PORTICO GATEWAY", fulltext: "", language: { connect: { languageId: 1 } }, rating: PG_13,
                         rentalRate: "2.99", specialFeatures: ["Trailers", "Deleted Scenes"], actors: { connect: [{ actorId: 1 }, { actorId: 2 }] } }) {
        filmId title rating rentalRate specialFeatures language { name } actors { nodes { actorId firstName } } } }`)
    const film = data.createFilm
    expect(film).toMatchObject({ title: 'PORTICO GATEWAY', rating: 'PG_13', rentalRate: '2.99', specialFeatures: ['Trailers', 'Deleted Scenes'] })
    expect(film.language.name.trim()).toBe('English')
    expect(film.actors.nodes).toEqual(await fx.rows('SELECT actor_id AS "actorId", first_name AS "firstName" FROM actor WHERE actor_id IN (1, 2) ORDER BY actor_id'))
    expect(await fx.rows('SELECT actor_id FROM film_actor WHERE film_id = $1 ORDER BY actor_id', [film.filmId])).toEqual([{ actor_id: 1 }, { actor_id: 2 }])
    expect(await fx.rows('SELECT rating::text, rental_rate::text, special_features FROM film WHERE film_id = $1', [film.filmId])).toEqual([
      { rating: 'PG-13', rental_rate: '2.99', special_features: ['Trailers', 'Deleted Scenes'] },
    ])
  })

  it('deletes a join row by its composite key, and unlinks through the shortcut', async () => {
    const deleted = await fx.api.data('mutation { deleteFilmActor(where: { actorId: 1, filmId: 1 }) { actorId filmId film { title } } }')
    expect(deleted.deleteFilmActor).toEqual({ actorId: 1, filmId: 1, film: { title: 'ACADEMY DINOSAUR' } })
    const updated = await fx.api.data('mutation { updateFilm(where: { filmId: 1 }, data: { actors: { disconnect: [{ actorId: 10 }] } }) { actors { totalCount } } }')
    const [{ n }] = await fx.rows('SELECT count(*)::int AS n FROM film_actor WHERE film_id = 1')
    expect(updated.updateFilm.actors.totalCount).toBe(n)
    expect(await fx.rows('SELECT * FROM film_actor WHERE film_id = 1 AND actor_id IN (1, 10)')).toEqual([])
  })

  it('updates a payment by its composite key (a timestamp with microseconds in it)', async () => {
    const [payment] = await fx.rows(`SELECT payment_id, replace((payment_date AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z' AS date FROM payment ORDER BY payment_date, payment_id LIMIT 1`)
    const data = await fx.api.data(`mutation { updatePayment(where: { paymentId: ${payment.payment_id}, paymentDate: "${payment.date}" }, data: { amount: "12.34" }) { paymentId paymentDate amount } }`)
    expect(data.updatePayment).toEqual({ paymentId: payment.payment_id, paymentDate: payment.date, amount: '12.34' })
    expect(await fx.rows('SELECT amount::text FROM payment WHERE payment_id = $1', [payment.payment_id])).toEqual([{ amount: '12.34' }])
  })

  it('upserts on the unique index (rental_date, inventory_id, customer_id)', async () => {
    const [rental] = await fx.rows(`SELECT rental_id, replace((rental_date AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z' AS date, inventory_id, customer_id, staff_id FROM rental ORDER BY rental_id LIMIT 1`)
    const where = `{ rentalDate: "${rental.date}", inventoryId: ${rental.inventory_id}, customerId: ${rental.customer_id} }`
    const create = `{ rentalDate: "${rental.date}", inventoryId: ${rental.inventory_id}, customerId: ${rental.customer_id}, staffId: ${rental.staff_id} }`
    const data = await fx.api.data(`mutation { upsertRental(where: ${where}, create: ${create}, update: { returnDate: "2030-01-01T00:00:00Z" }) { rentalId returnDate } }`)
    expect(data.upsertRental).toEqual({ rentalId: rental.rental_id, returnDate: '2030-01-01T00:00:00Z' })
    expect(await fx.rows('SELECT count(*)::int AS n FROM rental WHERE rental_id = $1 AND return_date = $2', [rental.rental_id, '2030-01-01T00:00:00Z'])).toEqual([{ n: 1 }])
  })

  it('a second rental of the same (date, inventory, customer) is a unique violation naming the index', async () => {
    const [rental] = await fx.rows(`SELECT replace((rental_date AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z' AS date, inventory_id, customer_id, staff_id FROM rental ORDER BY rental_id LIMIT 1`)
    const result = await fx.api.query(
      `mutation { createRental(data: { rentalDate: "${rental.date}", inventoryId: ${rental.inventory_id}, customerId: ${rental.customer_id}, staffId: ${rental.staff_id} }) { rentalId } }`,
    )
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'UNIQUE_VIOLATION',
      type: 'Rental',
      constraint: 'idx_unq_rental_rental_date_inventory_id_customer_id',
      fields: ['rentalDate', 'inventoryId', 'customerId'],
    })
  })
})

describe('Chinook', () => {
  const fx = useFixture('chinook', { schemas: ['public'] })

  it('creates an invoice with its lines in one transaction', async () => {
    const data = await fx.api.data(`mutation {
      createInvoice(data: { invoiceId: 1000, customer: { connect: { customerId: 1 } }, invoiceDate: "2025-01-02T03:04:05", total: "1.98",
        invoiceLines: { create: [{ invoiceLineId: 5000, trackId: 1, unitPrice: "0.99", quantity: 1 }, { invoiceLineId: 5001, trackId: 2, unitPrice: "0.99", quantity: 1 }] } }) {
        invoiceId total customer { customerId } invoiceLines { nodes { invoiceLineId track { name } } } } }`)
    expect(data.createInvoice).toEqual({
      invoiceId: 1000,
      total: '1.98',
      customer: { customerId: 1 },
      invoiceLines: {
        nodes: (await fx.rows('SELECT invoice_line_id AS "invoiceLineId", t.name FROM invoice_line l JOIN track t USING (track_id) WHERE invoice_id = 1000 ORDER BY invoice_line_id')).map(
          (row) => ({ invoiceLineId: row.invoiceLineId, track: { name: row.name } }),
        ),
      },
    })
    expect(await fx.rows('SELECT invoice_line_id, track_id, unit_price::text FROM invoice_line WHERE invoice_id = 1000 ORDER BY 1')).toEqual([
      { invoice_line_id: 5000, track_id: 1, unit_price: '0.99' },
      { invoice_line_id: 5001, track_id: 2, unit_price: '0.99' },
    ])
  })

  it('a line referring to a missing track rolls the whole invoice back', async () => {
    const result = await fx.api.query(`mutation {
      createInvoice(data: { invoiceId: 1001, customerId: 1, invoiceDate: "2025-01-02T03:04:05", total: "0.99",
        invoiceLines: { create: [{ invoiceLineId: 5002, trackId: 999999, unitPrice: "0.99", quantity: 1 }] } }) { invoiceId } }`)
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FOREIGN_KEY_VIOLATION', type: 'InvoiceLine', relation: 'InvoiceLine.track', references: 'Track' })
    expect(await fx.rows('SELECT invoice_id FROM invoice WHERE invoice_id = 1001')).toEqual([])
  })

  it('links and unlinks playlist tracks, and deletes a playlist_track by its composite key', async () => {
    const data = await fx.api.data('mutation { updatePlaylist(where: { playlistId: 2 }, data: { tracks: { connect: [{ trackId: 1 }, { trackId: 2 }] } }) { tracks { totalCount } } }')
    expect(data.updatePlaylist.tracks.totalCount).toBe(2)
    const deleted = await fx.api.data('mutation { deletePlaylistTrack(where: { playlistId: 2, trackId: 1 }) { playlistId trackId track { name } } }')
    expect(deleted.deletePlaylistTrack).toEqual({ playlistId: 2, trackId: 1, track: { name: (await fx.rows('SELECT name FROM track WHERE track_id = 1'))[0].name } })
    expect(await fx.rows('SELECT track_id FROM playlist_track WHERE playlist_id = 2')).toEqual([{ track_id: 2 }])
  })

  it('updateMany and deleteMany with a relation filter', async () => {
    const where = '{ genre: { is: { name: { equals: "Opera" } } } }'
    const [{ n }] = await fx.rows(`SELECT count(*)::int AS n FROM track t JOIN genre g USING (genre_id) WHERE g.name = 'Opera'`)
    const data = await fx.api.data(`mutation { updateManyTrack(where: ${where}, data: { composer: "Someone" }) { count } }`)
    expect(data.updateManyTrack.count).toBe(n)
    expect(await fx.rows(`SELECT DISTINCT composer FROM track t JOIN genre g USING (genre_id) WHERE g.name = 'Opera'`)).toEqual([{ composer: 'Someone' }])
    const deleted = await fx.api.data('mutation { deleteManyPlaylistTrack(where: { playlistId: { equals: 2 } }) { count } }')
    expect(deleted.deleteManyPlaylistTrack.count).toBe(1)
  })
})
