package console

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSessionsExpireAndStayBounded(t *testing.T) {
	s := newSessions()
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	rec := httptest.NewRecorder()
	first := s.start(rec, true, actor{Account: "123456789012"})
	cookie := rec.Result().Cookies()[0]
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != Prefix {
		t.Errorf("cookie: %+v", cookie)
	}
	req := httptest.NewRequest(http.MethodGet, Prefix, nil)
	req.AddCookie(cookie)
	if got := s.of(req); got == nil || got.id != first.id {
		t.Fatalf("the session was not found: %+v", got)
	}
	clock = clock.Add(sessionLifetime + time.Minute)
	if got := s.of(req); got != nil {
		t.Errorf("a session unused for longer than its lifetime lived on")
	}

	for range maxSessions + 5 {
		clock = clock.Add(time.Millisecond)
		s.start(httptest.NewRecorder(), true, actor{})
	}
	if n := len(s.by); n > maxSessions {
		t.Errorf("%d sessions kept, want at most %d", n, maxSessions)
	}
}
