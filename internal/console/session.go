package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// How a person signs in, and why:
//
//   - Permissive mode without an admin token: anyone who can reach the listener can already
//     call every API as the default account, so the console asks nothing and acts as that
//     account's root. It still gives the browser a session, which is what its CSRF tokens
//     are bound to.
//   - With an admin token (--admin-token): the token is asked once on the sign-in page,
//     because the console moves the clock and takes Regions down, as the admin API does.
//   - Strict mode: the person signs in with an access key id and its secret access key (the
//     long-term keys the server was given), and the console acts as that identity, in its
//     account. The secret is compared and forgotten; only the identity is kept.
//
// A session lives in memory, for sessionLifetime after it was last used: a restart signs
// everyone out, which is the safe direction. Its cookie is HttpOnly (no script reads it),
// SameSite=Strict (no other site's page can make the browser send it) and scoped to the
// console's path.
const (
	sessionCookie   = "xregion-console"
	sessionLifetime = 12 * time.Hour
	// maxSessions bounds the memory sessions take: in permissive mode every browser that
	// comes without a cookie gets one, and a script can come without cookies forever.
	// Past the bound the least recently used session goes.
	maxSessions = 10000
)

type session struct {
	id       string
	csrf     string
	signedIn bool // the session passed the sign-in the configuration asks for
	who      actor
	lastUsed time.Time
}

type sessions struct {
	mu  sync.Mutex
	by  map[string]*session
	now func() time.Time // real time: sessions expire for people, not on the engine clock
}

func newSessions() *sessions {
	return &sessions{by: map[string]*session{}, now: time.Now}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// of returns the request's live session, if its cookie names one.
func (s *sessions) of(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.by[c.Value]
	if !ok {
		return nil
	}
	if s.now().Sub(sess.lastUsed) > sessionLifetime {
		delete(s.by, c.Value)
		return nil
	}
	sess.lastUsed = s.now()
	copied := *sess
	return &copied
}

// start creates a session and sets its cookie.
func (s *sessions) start(w http.ResponseWriter, signedIn bool, who actor) *session {
	sess := &session{id: randomToken(), csrf: randomToken(), signedIn: signedIn, who: who, lastUsed: s.now()}
	s.mu.Lock()
	if len(s.by) >= maxSessions {
		s.evictLocked()
	}
	s.by[sess.id] = sess
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.id, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	copied := *sess
	return &copied
}

// actAs changes who a session acts as.
func (s *sessions) actAs(sess *session, who actor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if live, ok := s.by[sess.id]; ok {
		live.who = who
	}
}

// evictLocked drops expired sessions, and the least recently used one if none had expired.
func (s *sessions) evictLocked() {
	var oldest *session
	for id, sess := range s.by {
		if s.now().Sub(sess.lastUsed) > sessionLifetime {
			delete(s.by, id)
			continue
		}
		if oldest == nil || sess.lastUsed.Before(oldest.lastUsed) {
			oldest = sess
		}
	}
	if len(s.by) >= maxSessions && oldest != nil {
		delete(s.by, oldest.id)
	}
}

// end forgets a session and clears its cookie.
func (s *sessions) end(w http.ResponseWriter, sess *session) {
	s.mu.Lock()
	delete(s.by, sess.id)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// validCSRF reports whether a form carries its session's token. The gateway has already
// refused requests a browser marked as coming from another origin; the token refuses the
// rest (an old browser, a request without Origin).
func (sess *session) validCSRF(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

const csrfField = "csrf"
