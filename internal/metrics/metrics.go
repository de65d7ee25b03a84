// Package metrics defines the Prometheus metrics the server exports. One
// registry per server (not the global one) keeps tests independent.
package metrics

import (
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the collectors the HTTP and GraphQL layers update.
type Metrics struct {
	Registry *prometheus.Registry
	// GraphQLDuration is request latency by GraphQL operation name and type.
	GraphQLDuration *prometheus.HistogramVec
	// GraphQLErrors counts errors returned to clients by extensions.code.
	GraphQLErrors *prometheus.CounterVec
	// HTTPRequests counts HTTP requests by route and status class.
	HTTPRequests *prometheus.CounterVec

	mu         sync.Mutex
	operations map[string]struct{} // names OperationLabel passes through
	maxOps     int
}

// DefaultMaxOperations is how many distinct operation names are kept as
// labels unless WithMaxOperations says otherwise.
const DefaultMaxOperations = 200

// OtherOperation is the label of every operation name past the limit.
const OtherOperation = "other"

// maxOperationLen cuts absurdly long names: a label is stored with every
// series, and a name is the client's choice.
const maxOperationLen = 100

// Option configures New.
type Option func(*Metrics)

// WithMaxOperations sets how many distinct operation names are kept as
// labels (0 puts every operation under "other").
func WithMaxOperations(n int) Option { return func(m *Metrics) { m.maxOps = n } }

// OperationLabel returns the label to record an operation name under: the
// name itself for the first distinct names up to the limit, "other" after.
// The operation name is chosen by the client, so without a bound every new
// name would add series that live as long as the process.
func (m *Metrics) OperationLabel(name string) string {
	name = TrimOperationName(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.operations[name]; ok {
		return name
	}
	if len(m.operations) >= m.maxOps {
		return OtherOperation
	}
	m.operations[name] = struct{}{}
	return name
}

// TrimOperationName cuts a client-chosen operation name to a length fit
// for a label or a log line, keeping it valid UTF-8.
func TrimOperationName(name string) string {
	if len(name) > maxOperationLen {
		name = strings.ToValidUTF8(name[:maxOperationLen], "") // a cut rune would make the label invalid
	}
	return name
}

// New registers the server's metrics, Go runtime and process collectors,
// and database pool statistics when pool is given.
func New(pool *pgxpool.Pool, opts ...Option) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry:   reg,
		operations: map[string]struct{}{},
		maxOps:     DefaultMaxOperations,
		GraphQLDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "itam_graphql_request_duration_seconds",
			Help:    "GraphQL request latency by operation name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation", "type"}),
		GraphQLErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "itam_graphql_errors_total",
			Help: "GraphQL errors returned, by extensions.code.",
		}, []string{"code"}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "itam_http_requests_total",
			Help: "HTTP requests by route and status code class.",
		}, []string{"route", "status"}),
	}
	for _, o := range opts {
		o(m)
	}
	reg.MustRegister(m.GraphQLDuration, m.GraphQLErrors, m.HTTPRequests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		reg.MustRegister(newPoolCollector(pool))
	}
	return m
}

// poolCollector reads pgxpool statistics at scrape time.
type poolCollector struct {
	pool                                    *pgxpool.Pool
	total, idle, acquired, max              *prometheus.Desc
	acquireCount, acquireWait, emptyAcquire *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("itam_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:         pool,
		total:        d("connections", "Open connections."),
		idle:         d("idle_connections", "Idle connections."),
		acquired:     d("acquired_connections", "Connections in use."),
		max:          d("max_connections", "Pool size limit."),
		acquireCount: d("acquires_total", "Connections acquired."),
		acquireWait:  d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
		emptyAcquire: d("empty_acquires_total", "Acquires that had to wait because the pool was empty."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.idle, c.acquired, c.max, c.acquireCount, c.acquireWait, c.emptyAcquire} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquireCount, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.acquireWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(c.emptyAcquire, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
}
