package supervisor

import "sort"

// Status is one line of the health view.
type Status struct {
	ID       string `json:"id"`
	Address  string `json:"address"` // where clients connect
	Port     int    `json:"port"`
	State    State  `json:"state"`
	Version  string `json:"version"` // the PostgreSQL that runs it, e.g. "15.18"
	Major    int    `json:"major"`
	PID      int    `json:"pid,omitempty"`
	Restarts int    `json:"restarts,omitempty"` // unexpected exits since xregion started
	Error    string `json:"error,omitempty"`    // why it failed, or last failed to start
}

// Address is where every server listens.
const Address = "127.0.0.1"

// Status lists every server, by id.
func (s *Supervisor) Status() []Status {
	s.mu.Lock()
	servers := s.list()
	s.mu.Unlock()
	out := make([]Status, 0, len(servers))
	for _, m := range servers {
		out = append(out, s.status(m))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// StatusOf returns one server's status.
func (s *Supervisor) StatusOf(id string) (Status, error) {
	m, err := s.get(id)
	if err != nil {
		return Status{}, err
	}
	return s.status(m), nil
}

// status reads a server's status without its lifecycle lock.
func (s *Supervisor) status(m *managed) Status {
	m.stMu.Lock()
	st := Status{ID: m.id, Address: Address, State: m.state, Restarts: m.restarts, Error: m.lastErr,
		Port: m.rec.Port, Version: m.rec.Version, Major: m.rec.Major}
	srv := m.srv
	m.stMu.Unlock()
	if srv != nil {
		spec := srv.Spec()
		st.Port, st.Version, st.Major, st.PID = spec.Port, spec.Install.Version, spec.Install.Major, srv.PID()
	}
	return st
}
