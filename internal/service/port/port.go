// Package port holds the contracts between services: what one service offers the others
// (a key ring, backups of its resources, roles, notifications, presigned-URL checks),
// declared here rather than by the provider, so that services depend on ports and never
// on one another.
//
// A service provides a port and needs others through the registry, typed by the port's
// interface (package service):
//
//	service.Provide[port.KeyRing](d.Ports, s) // KMS
//	service.Need(d.Ports, &s.keys)            // Secrets Manager, with keys port.KeyRing
//
// The registry fills every need once all services are built, and refuses to start when a
// needed port has no provider.
//
// Port methods that touch the store take the caller's kit.Tx: the provider Joins it, so
// that what both services write commits together or not at all.
package port
