package console

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

type signInData struct {
	Token  bool // the admin token is asked
	Keys   bool // an access key is asked (strict mode)
	Failed string
	CSRF   string
}

// signInPage asks what the configuration needs (see session.go).
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if !c.signInNeeded() {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	c.showSignIn(w, http.StatusOK, "")
}

func (c *Console) showSignIn(w http.ResponseWriter, status int, failed string) {
	c.write(w, status, "signin", "layout", view{Title: "Sign in", Data: signInData{
		Token: c.cfg.AdminToken != "", Keys: c.cfg.Resolver.Strict(), Failed: failed,
	}})
}

// signIn checks the admin token and, in strict mode, the access key pair. Both failures
// read alike, so the page tells a guesser nothing about which part was wrong. The form
// carries no CSRF token (there is no session yet to bind one to): the gateway's origin
// checks keep other pages from posting it, and a new session starts on success.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if !c.signInNeeded() {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	const refused = "The sign-in details are not correct."
	if t := c.cfg.AdminToken; t != "" && subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(t)) != 1 {
		c.showSignIn(w, http.StatusUnauthorized, refused)
		return
	}
	who := c.defaultActor()
	if c.cfg.Resolver.Strict() {
		key := strings.TrimSpace(r.PostFormValue("accessKey"))
		id, err := c.cfg.Resolver.Resolve(key, "", time.Now())
		if err != nil || id.Temporary() || subtle.ConstantTimeCompare([]byte(r.PostFormValue("secretKey")), []byte(id.SecretKey)) != 1 {
			c.showSignIn(w, http.StatusUnauthorized, refused)
			return
		}
		who = actor{Account: id.Account, AccessKey: id.AccessKeyID, Caller: rootCaller(id.Account)}
		who.Caller.ARN, who.Caller.UserID = id.ARN, id.UserID
	}
	if old := c.sessions.of(r); old != nil {
		c.sessions.end(w, old) // a new session on sign-in: no fixation
	}
	c.sessions.start(w, true, who)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, v *visit) {
	c.sessions.end(w, v.sess)
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}
