// Pins the Prometheus Operator whose CRDs (example/prometheus-operator-crd/ in its module) the tests install on the
// local API server, so that config/prometheus/'s PodMonitor, ServiceMonitor and PrometheusRule are checked against
// the real schema. Nothing is built from it: hack/lib/common.sh ensure_prometheus_operator_crds runs
// `go mod download -json` here and prints the CRD directory of the module.
module sonde.dev/hack/tools/prometheus-operator

go 1.26.7

require github.com/prometheus-operator/prometheus-operator v0.85.0
