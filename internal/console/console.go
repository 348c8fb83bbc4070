// Package console is xregion's web console: server-rendered pages, in the AWS console's
// words, through which a person follows the AWS documentation's walks (seed 001's
// on-demand and scheduled cross-Region copies) by clicking, and sees at a glance where
// every protected resource has its copies.
//
// Every action calls the same service operation the API serves (see invoke.go), as the
// signed-in identity and the chosen Region, so the pages show AWS's own errors; xregion's
// own controls (the clock, Region faults) go through the admin API in process. Templates,
// styles and a vendored htmx are embedded in the binary: the console works offline and
// needs no build step.
package console

import (
	"embed"
	"log/slog"
	"net/http"
	"slices"
	"sync"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gateway"
)

// Prefix is where the console is served.
const Prefix = gateway.ConsolePrefix

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Config wires the console.
type Config struct {
	Services []gateway.Service // the services the gateway serves, called in process
	Resolver *auth.Resolver    // who may sign in, and as which account
	// Admin is the admin API's handler, through which the console moves the clock and
	// sets faults exactly as a test harness would.
	Admin      http.Handler
	AdminToken string // when set, asked on the sign-in page
	// Accounts are accounts besides the resolver's default that a person may act in when
	// the mode is permissive (those of the configured keys): the header offers them.
	// In strict mode a person acts in the account of the key they signed in with.
	Accounts []string
	Logger   *slog.Logger
}

// Console is the console's http.Handler.
type Console struct {
	cfg      Config
	services services
	sessions *sessions
	pages    func() templates
	// mux is built on the console's first request: registering its many patterns cost
	// start-up as much as the rest of the front (bench/README.md, issue 20).
	mux  func() *http.ServeMux
	lags lagHistory
}

// New builds the console.
func New(cfg Config) *Console {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, services: newServices(cfg.Services), sessions: newSessions(), pages: pages}
	c.mux = sync.OnceValue(c.routes)
	return c
}

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The console's own pages only: no inline script, nothing framed, nothing cached.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.mux().ServeHTTP(w, r)
}

// signInNeeded reports whether a person must sign in before using the console.
func (c *Console) signInNeeded() bool {
	return c.cfg.AdminToken != "" || c.cfg.Resolver.Strict()
}

// defaultActor is who acts when nobody needs to sign in: the default account's root.
func (c *Console) defaultActor() actor {
	account := c.cfg.Resolver.DefaultAccount()
	return actor{Account: account, Caller: rootCaller(account)}
}

// accounts are the accounts a person may switch between: none in strict mode.
func (c *Console) accounts() []string {
	if c.cfg.Resolver.Strict() {
		return nil
	}
	list := []string{c.cfg.Resolver.DefaultAccount()}
	for _, a := range c.cfg.Accounts {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

// switchAccount is the header's "Account" choice.
func (c *Console) switchAccount(w http.ResponseWriter, r *http.Request, v *visit) {
	account := r.PostFormValue("account")
	if !slices.Contains(c.accounts(), account) {
		http.Error(w, "The console does not act in account "+account+".", http.StatusBadRequest)
		return
	}
	c.sessions.actAs(v.sess, actor{Account: account, Caller: rootCaller(account)})
	v.redirect(w, "", v.Region, "Acting in account "+account+".")
}

// page wraps a handler that needs a session: it starts one when the configuration asks
// nobody to sign in, sends the person to the sign-in page otherwise, and refuses a form
// without its CSRF token.
func (c *Console) page(fn func(w http.ResponseWriter, r *http.Request, v *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := c.sessions.of(r)
		if sess == nil || !sess.signedIn {
			if c.signInNeeded() {
				c.toSignIn(w, r)
				return
			}
			if sess == nil {
				sess = c.sessions.start(w, true, c.defaultActor())
			}
		}
		if r.Method == http.MethodPost && !sess.validCSRF(r) {
			http.Error(w, "This form has expired or did not come from the console: reload the page and try again.", http.StatusForbidden)
			return
		}
		fn(w, r, c.newVisit(r, sess))
	}
}

func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "Sign in to the console first.", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}
