// Package kit is what every service shares, so that a service package holds only what
// makes it that service: its records, its rules and its texts.
//
//   - Kit is one service's share of the server: its records in the store (reached only
//     through views scoped to the service, an account and a Region), the job engine, the
//     clock, the Region faults, its pagination markers and its logger.
//   - Call is the request a handler answers: who calls, in which account, Region and
//     partition, with which request id, and the time on the engine's clock.
//   - Tx and View are a store transaction as a service sees it: View files every record
//     under (account, Region, service), so a service cannot read or write another's
//     records by accident. Table, Index and Blobs are the typed records of a view, and
//     Cache a read path that decodes a record once.
//   - Pager seals pagination markers and refuses, with the service's own error, any
//     marker it did not issue.
//   - Kind names a job kind together with its payload type, so that enqueueing and
//     running a job share one type, and every job key has one format.
//
// Services depend on the kit and on the ports (package port), never on one another; the
// registry (package service) builds each service's Kit and wires the ports at start-up.
package kit
