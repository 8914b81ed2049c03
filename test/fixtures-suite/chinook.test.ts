/**
 * Chinook (music store; ../shared/fixtures/chinook): every list counted, first pages, album ->
 * artist and tracks, invoice -> lines -> track, playlist <-> track through playlist_track, and the
 * employee hierarchy, all compared with SQL on the same database.
 */
import { describe, expect, it } from 'vitest'
import { introspectDatabase } from '../../src/introspect/introspect-database.js'
import { printGraphQLSchema } from '../../src/schema/build-schema.js'
import { as, datamodelMatchesGenerated, describeLists, stitch, useFixture } from './fixture.js'

const fx = useFixture('chinook', { schemas: ['public'] })

/** Every root list and the relation it reads, written by hand from the printed schema. */
const LISTS: Record<string, string> = {
  albums: 'public.album',
  artists: 'public.artist',
  customers: 'public.customer',
  employees: 'public.employee',
  genres: 'public.genre',
  invoiceLines: 'public.invoice_line',
  invoices: 'public.invoice',
  mediaTypes: 'public.media_type',
  playlistTracks: 'public.playlist_track',
  playlists: 'public.playlist',
  tracks: 'public.track',
}

describeLists(fx, LISTS)
datamodelMatchesGenerated(fx)

describe('first pages in key order', () => {
  const cases: [field: string, selection: string, sql: string][] = [
    [
      'tracks',
      'trackId name albumId mediaTypeId genreId composer milliseconds bytes unitPrice',
      `SELECT track_id AS "trackId", name, album_id AS "albumId", media_type_id AS "mediaTypeId", genre_id AS "genreId", composer,
         milliseconds, bytes, ${as.decimal('unit_price')} AS "unitPrice"
       FROM track ORDER BY track_id LIMIT 10`,
    ],
    [
      // invoice_date is a timestamp without time zone: a LocalDateTime, served with no zone.
      'invoices',
      'invoiceId customerId invoiceDate billingAddress billingCity billingState billingCountry billingPostalCode total',
      `SELECT invoice_id AS "invoiceId", customer_id AS "customerId", ${as.timestamp('invoice_date')} AS "invoiceDate",
         billing_address AS "billingAddress", billing_city AS "billingCity", billing_state AS "billingState",
         billing_country AS "billingCountry", billing_postal_code AS "billingPostalCode", ${as.decimal('total')} AS total
       FROM invoice ORDER BY invoice_id LIMIT 10`,
    ],
    [
      'employees',
      'employeeId lastName firstName title reportsTo birthDate hireDate city postalCode email',
      `SELECT employee_id AS "employeeId", last_name AS "lastName", first_name AS "firstName", title, reports_to AS "reportsTo",
         ${as.timestamp('birth_date')} AS "birthDate", ${as.timestamp('hire_date')} AS "hireDate", city, postal_code AS "postalCode", email
       FROM employee ORDER BY employee_id LIMIT 10`,
    ],
    [
      'customers',
      'customerId firstName lastName company city state country postalCode phone fax email supportRepId',
      `SELECT customer_id AS "customerId", first_name AS "firstName", last_name AS "lastName", company, city, state, country,
         postal_code AS "postalCode", phone, fax, email, support_rep_id AS "supportRepId"
       FROM customer ORDER BY customer_id LIMIT 10`,
    ],
    [
      'playlistTracks',
      'playlistId trackId',
      'SELECT playlist_id AS "playlistId", track_id AS "trackId" FROM playlist_track ORDER BY playlist_id, track_id LIMIT 10',
    ],
  ]

  it.each(cases)('%s', async (field, selection, sql) => {
    const data = await fx.api.data(`{ ${field}(first: 10) { nodes { ${selection} } } }`)
    const expected = await fx.rows(sql)
    expect(expected.length).toBeGreaterThan(5)
    expect(data[field].nodes).toEqual(expected)
  })
})

describe('relations', () => {
  it('albums with their artist and tracks equal the SQL join', async () => {
    const data = await fx.api.data(
      '{ albums(first: 30) { nodes { albumId title artist { artistId name } tracks(first: 100) { totalCount nodes { trackId name milliseconds unitPrice } } } } }',
    )
    const albums = await fx.rows(`
      SELECT al.album_id AS "albumId", al.title, ar.artist_id AS "artistId", ar.name AS "artistName"
      FROM album al JOIN artist ar ON ar.artist_id = al.artist_id ORDER BY al.album_id LIMIT 30`)
    const tracks = await fx.rows(`
      SELECT album_id, track_id AS "trackId", name, milliseconds, ${as.decimal('unit_price')} AS "unitPrice"
      FROM track WHERE album_id = ANY($1) ORDER BY album_id, track_id`, [albums.map((a) => a.albumId)])
    expect(data.albums.nodes).toEqual(
      albums.map((a) => {
        const nodes = tracks.filter((t) => t.album_id === a.albumId).map(({ album_id: _, ...t }) => t)
        return { albumId: a.albumId, title: a.title, artist: { artistId: a.artistId, name: a.artistName }, tracks: { totalCount: nodes.length, nodes } }
      }),
    )
  })

  it('an artist\'s albums, the other side of album -> artist, in pages of the default size (20)', async () => {
    const data = await fx.api.data('{ artist(artistId: 90) { name albums { totalCount pageInfo { hasNextPage } nodes { albumId title } } } }')
    const [artist] = await fx.rows('SELECT name FROM artist WHERE artist_id = 90')
    const albums = await fx.rows('SELECT album_id AS "albumId", title FROM album WHERE artist_id = 90 ORDER BY album_id')
    expect(albums.length).toBeGreaterThan(20)
    expect(data.artist).toEqual({ name: artist.name, albums: { totalCount: albums.length, pageInfo: { hasNextPage: true }, nodes: albums.slice(0, 20) } })
  })

  it('invoices with their customer and lines, each line with its track and album, equal the SQL join', async () => {
    const data = await fx.api.data(`{ invoices(first: 25) { nodes {
      invoiceId invoiceDate total customer { customerId email }
      invoiceLines { totalCount nodes { invoiceLineId unitPrice quantity track { trackId name album { title } } } } } } }`)
    const invoices = await fx.rows(`
      SELECT i.invoice_id AS "invoiceId", ${as.timestamp('i.invoice_date')} AS "invoiceDate", ${as.decimal('i.total')} AS total,
             c.customer_id AS "customerId", c.email
      FROM invoice i JOIN customer c ON c.customer_id = i.customer_id ORDER BY i.invoice_id LIMIT 25`)
    const lines = await fx.rows(`
      SELECT il.invoice_id, il.invoice_line_id AS "invoiceLineId", ${as.decimal('il.unit_price')} AS "unitPrice", il.quantity,
             t.track_id AS "trackId", t.name, al.title AS "albumTitle"
      FROM invoice_line il JOIN track t ON t.track_id = il.track_id LEFT JOIN album al ON al.album_id = t.album_id
      WHERE il.invoice_id = ANY($1) ORDER BY il.invoice_id, il.invoice_line_id`, [invoices.map((i) => i.invoiceId)])
    expect(data.invoices.nodes).toEqual(
      invoices.map((i) => {
        const nodes = lines
          .filter((l) => l.invoice_id === i.invoiceId)
          .map((l) => ({
            invoiceLineId: l.invoiceLineId,
            unitPrice: l.unitPrice,
            quantity: l.quantity,
            track: { trackId: l.trackId, name: l.name, album: l.albumTitle === null ? null : { title: l.albumTitle } },
          }))
        return { invoiceId: i.invoiceId, invoiceDate: i.invoiceDate, total: i.total, customer: { customerId: i.customerId, email: i.email }, invoiceLines: { totalCount: nodes.length, nodes } }
      }),
    )
  })

  it('an invoice line\'s invoice and track, the to-one side', async () => {
    const data = await fx.api.data('{ invoiceLine(invoiceLineId: 1000) { quantity invoice { invoiceId total } track { name genre { name } mediaType { name } } } }')
    const [row] = await fx.rows(`
      SELECT il.quantity, i.invoice_id, ${as.decimal('i.total')} AS total, t.name, g.name AS genre, m.name AS media
      FROM invoice_line il JOIN invoice i USING (invoice_id) JOIN track t USING (track_id)
      LEFT JOIN genre g ON g.genre_id = t.genre_id JOIN media_type m ON m.media_type_id = t.media_type_id
      WHERE il.invoice_line_id = 1000`)
    expect(data.invoiceLine).toEqual({
      quantity: row.quantity,
      invoice: { invoiceId: row.invoice_id, total: row.total },
      track: { name: row.name, genre: { name: row.genre }, mediaType: { name: row.media } },
    })
  })

  it('the employee hierarchy: reports_to both ways', async () => {
    const data = await fx.api.data('{ employees { nodes { employeeId employeeByReportsTo { employeeId lastName } employeesByReportsTo { nodes { employeeId } } } } }')
    const employees = await fx.rows(`SELECT e.employee_id AS "employeeId", m.employee_id AS "managerId", m.last_name AS "managerName"
      FROM employee e LEFT JOIN employee m ON m.employee_id = e.reports_to ORDER BY e.employee_id`)
    const reports = await fx.rows('SELECT reports_to, employee_id AS "employeeId" FROM employee WHERE reports_to IS NOT NULL ORDER BY reports_to, employee_id')
    expect(data.employees.nodes).toEqual(
      employees.map((e) => ({
        employeeId: e.employeeId,
        employeeByReportsTo: e.managerId === null ? null : { employeeId: e.managerId, lastName: e.managerName },
        employeesByReportsTo: { nodes: reports.filter((r) => r.reports_to === e.employeeId).map((r) => ({ employeeId: r.employeeId })) },
      })),
    )
  })
})

describe('playlist <-> track, many-to-many through playlist_track', () => {
  it('is named tracks on Playlist and playlists on Track, next to the join rows', () => {
    const printed = printGraphQLSchema(fx.api.gateway.schema)
    expect(printed).toContain('"""Track rows related through PlaylistTrack."""\n  tracks(')
    expect(printed).toContain('): PlaylistTracksConnection!')
    expect(printed).toContain('"""Playlist rows related through PlaylistTrack."""\n  playlists(')
    expect(printed).toContain('): TrackPlaylistsConnection!')
    const playlist = (fx.api.gateway.schema.getType('Playlist') as any).getFields()
    const track = (fx.api.gateway.schema.getType('Track') as any).getFields()
    expect(Object.keys(playlist).sort()).toEqual(['name', 'nodeId', 'playlistId', 'playlistTracks', 'tracks'])
    expect(Object.keys(track)).toEqual(expect.arrayContaining(['playlists', 'playlistTracks']))
  })

  it('every playlist\'s tracks (count and first page by track_id) equal SQL', async () => {
    const data = await fx.api.data('{ playlists(first: 100) { nodes { playlistId name tracks(first: 30) { totalCount nodes { trackId name } } } } }')
    const playlists = await fx.rows('SELECT playlist_id AS "playlistId", name FROM playlist ORDER BY playlist_id')
    const tracks = await fx.rows(`SELECT pt.playlist_id, t.track_id AS "trackId", t.name,
        row_number() OVER (PARTITION BY pt.playlist_id ORDER BY t.track_id) AS n
      FROM playlist_track pt JOIN track t ON t.track_id = pt.track_id ORDER BY pt.playlist_id, t.track_id`)
    expect(data.playlists.nodes).toEqual(
      playlists.map((p) => {
        const mine = tracks.filter((t) => t.playlist_id === p.playlistId)
        return { ...p, tracks: { totalCount: mine.length, nodes: mine.slice(0, 30).map((t) => ({ trackId: t.trackId, name: t.name })) } }
      }),
    )
  })

  it('tracks\' playlists, filtered by genre, equal SQL', async () => {
    const data = await fx.api.data('{ tracks(first: 40, where: { genreId: { equals: 3 } }) { totalCount nodes { trackId playlists { totalCount nodes { playlistId name } } } } }')
    const tracks = await fx.rows('SELECT track_id AS "trackId" FROM track WHERE genre_id = 3 ORDER BY track_id')
    const playlists = await fx.rows(`SELECT pt.track_id, p.playlist_id AS "playlistId", p.name FROM playlist_track pt JOIN playlist p USING (playlist_id)
      WHERE pt.track_id = ANY($1) ORDER BY pt.track_id, p.playlist_id`, [tracks.map((t) => t.trackId)])
    expect(data.tracks.totalCount).toBe(tracks.length)
    expect(data.tracks.nodes).toEqual(
      tracks.slice(0, 40).map((t) => {
        const nodes = playlists.filter((p) => p.track_id === t.trackId).map(({ track_id: _, ...p }) => p)
        return { trackId: t.trackId, playlists: { totalCount: nodes.length, nodes } }
      }),
    )
  })

  it('takes the far side\'s where and orderBy', async () => {
    const data = await fx.api.data('{ playlist(playlistId: 5) { tracks(first: 50, where: { genreId: { equals: 1 }, milliseconds: { gt: 300000 } }, orderBy: [{ milliseconds: DESC }]) { totalCount nodes { trackId milliseconds } } } }')
    const expected = await fx.rows(`SELECT t.track_id AS "trackId", t.milliseconds FROM playlist_track pt JOIN track t USING (track_id)
      WHERE pt.playlist_id = 5 AND t.genre_id = 1 AND t.milliseconds > 300000 ORDER BY t.milliseconds DESC, t.track_id`)
    expect(expected.length).toBeGreaterThan(50)
    expect(data.playlist.tracks).toEqual({ totalCount: expected.length, nodes: expected.slice(0, 50) })
  })

  it('keyset pages over one playlist\'s tracks cover them exactly once, forwards and backwards', async () => {
    const expected = await fx.rows('SELECT track_id AS "trackId" FROM playlist_track WHERE playlist_id = 3 ORDER BY track_id')
    const within = { field: 'playlist', args: 'playlistId: 3' }
    const forward = await stitch(fx.api, 'tracks', 'trackId', 'forward', 50, '', within)
    expect(forward.nodes).toEqual(expected)
    expect(forward.pages).toBe(Math.ceil(expected.length / 50))
    expect((await stitch(fx.api, 'tracks', 'trackId', 'backward', 50, '', within)).nodes).toEqual(expected)
  })
})

describe('ordering by relations', () => {
  const cases: [name: string, field: string, orderBy: string, selection: string, sql: string][] = [
    [
      'customers by how many invoices they have',
      'customers',
      '[{ invoices: { count: DESC } }]',
      'customerId',
      `SELECT c.customer_id AS "customerId" FROM customer c ORDER BY (SELECT count(*) FROM invoice i WHERE i.customer_id = c.customer_id) DESC, c.customer_id`,
    ],
    [
      'invoices by their customer\'s last name',
      'invoices',
      '[{ customer: { lastName: ASC } }]',
      'invoiceId',
      `SELECT i.invoice_id AS "invoiceId" FROM invoice i JOIN customer c ON c.customer_id = i.customer_id ORDER BY c.last_name, i.invoice_id`,
    ],
    [
      'invoices by their lines\' total unit price, then newest first',
      'invoices',
      '[{ invoiceLines: { sum: { unitPrice: DESC } } }, { invoiceDate: DESC }]',
      'invoiceId',
      `SELECT i.invoice_id AS "invoiceId" FROM invoice i
       ORDER BY (SELECT sum(l.unit_price) FROM invoice_line l WHERE l.invoice_id = i.invoice_id) DESC, i.invoice_date DESC, i.invoice_id`,
    ],
    [
      'customers by their support rep\'s last name (a chain: customer -> employee), NULLs first',
      'customers',
      '[{ supportRep: { lastName: DESC_NULLS_FIRST } }, { country: ASC }]',
      'customerId',
      `SELECT c.customer_id AS "customerId" FROM customer c LEFT JOIN employee e ON e.employee_id = c.support_rep_id
       ORDER BY e.last_name DESC NULLS FIRST, c.country, c.customer_id`,
    ],
    [
      'tracks by their album\'s artist\'s name (two to-one hops)',
      'tracks',
      '[{ album: { artist: { name: ASC } } }]',
      'trackId',
      `SELECT t.track_id AS "trackId" FROM track t LEFT JOIN album al ON al.album_id = t.album_id LEFT JOIN artist ar ON ar.artist_id = al.artist_id
       ORDER BY ar.name ASC NULLS LAST, t.track_id`,
    ],
  ]

  it.each(cases)('%s equals SQL, in one statement', async (_name, field, orderBy, selection, sql) => {
    const data = await fx.api.data(`{ ${field}(first: 100, orderBy: ${orderBy}) { nodes { ${selection} } } }`)
    expect(fx.api.statements).toHaveLength(1)
    const expected = await fx.rows(`${sql} LIMIT 100`)
    expect(data[field].nodes).toEqual(expected)
  })

  it.each(cases.slice(0, 3))('%s: keyset pages forwards and backwards cover the SQL order exactly', async (_name, field, orderBy, selection, sql) => {
    const expected = await fx.rows(sql)
    expect((await stitch(fx.api, field, selection, 'forward', 97, `orderBy: ${orderBy}`)).nodes).toEqual(expected)
    expect((await stitch(fx.api, field, selection, 'backward', 97, `orderBy: ${orderBy}`)).nodes).toEqual(expected)
  })
})

describe('introspection', () => {
  it('introspection is idempotent: introspecting again with the first result as previous changes nothing', async () => {
    const options = { schemas: ['public'], primaryKeys: {} }
    const first = await introspectDatabase(fx.api.gateway.pool, options)
    expect(first.prismaSchema).toBe(fx.api.gateway.prismaSchema)
    const second = await introspectDatabase(fx.api.gateway.pool, { ...options, previous: first.prismaSchema })
    expect(second.prismaSchema).toBe(first.prismaSchema)
  })
})
