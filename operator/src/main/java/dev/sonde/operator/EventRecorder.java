package dev.sonde.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Writes Kubernetes Events (events.k8s.io/v1) about Sonde objects, off the reconcile threads, as client-go's
 * recorder does: a reconcile hands its Event to a queue and goes on to its status, and two sender threads write
 * them. At most {@link #QUEUE} wait; beyond that a new Event is dropped, counted in
 * {@code sonde_operator_events_dropped_total} and logged. A failure to write is logged, never thrown.
 *
 * <p>Written in the reconcile, an Event was one of a status change's two API round trips; with 500 monitors
 * created at once, the reconcile threads spent more time creating Events than on anything but the status patches
 * (docs/benchmarks.md, "Operator at scale").
 */
@ApplicationScoped
public class EventRecorder {

    /** Events waiting to be written, at most; 1,000 as client-go's recorder. */
    static final int QUEUE = 1000;
    static final int SENDERS = 2;

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(ZoneOffset.UTC);
    public static final String CONTROLLER = "sonde.dev/operator";

    private final Consumer<Event> writer;
    private final Counter dropped;
    private final AtomicInteger dropsLogged = new AtomicInteger();
    private final ThreadPoolExecutor senders;

    @Inject
    public EventRecorder(KubernetesClient client, MeterRegistry registry) {
        this(event -> client.resource(event).create(), registry, QUEUE);
    }

    EventRecorder(Consumer<Event> writer, MeterRegistry registry, int queue) {
        this.writer = writer;
        this.dropped = Counter.builder("sonde.operator.events.dropped")
                .description("Events not written because " + queue + " were already waiting")
                .register(registry);
        AtomicInteger threads = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(SENDERS, SENDERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                task -> {
                    Thread thread = new Thread(task, "sonde-events-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                (task, executor) -> drop(queue, executor.isShutdown()));
    }

    public void normal(HasMetadata object, String reason, String note) {
        record(object, "Normal", reason, note);
    }

    public void warning(HasMetadata object, String reason, String note) {
        record(object, "Warning", reason, note);
    }

    /** An Event for an object's new Ready condition: Normal when True, Warning otherwise, with its reason. */
    public void ready(HasMetadata object, Condition ready) {
        if (Conditions.TRUE.equals(ready.getStatus())) {
            normal(object, ready.getReason(), ready.getMessage());
        } else {
            warning(object, ready.getReason(), ready.getMessage());
        }
    }

    private void record(HasMetadata object, String type, String reason, String note) {
        String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(object.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(namespace)
                .endMetadata()
                .withEventTime(new MicroTime(MICRO_TIME.format(Instant.now())))
                .withReportingController(CONTROLLER)
                .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", "sonde-operator"))
                .withAction("Reconcile")
                .withType(type)
                .withReason(reason)
                .withNote(note == null || note.length() <= 1024 ? note : note.substring(0, 1021) + "...")
                .withRegarding(new ObjectReferenceBuilder()
                        .withApiVersion(object.getApiVersion())
                        .withKind(object.getKind())
                        .withName(object.getMetadata().getName())
                        .withNamespace(object.getMetadata().getNamespace())
                        .withUid(object.getMetadata().getUid())
                        .withResourceVersion(object.getMetadata().getResourceVersion())
                        .build())
                .build();
        senders.execute(() -> write(event));
    }

    private void write(Event event) {
        try {
            writer.accept(event);
        } catch (RuntimeException e) { // KubernetesClientException, or a client closing at shutdown
            LOG.warnf("could not record event %s on %s/%s: %s", event.getReason(), event.getMetadata().getNamespace(),
                    event.getRegarding().getName(), e.getMessage());
        }
    }

    private void drop(int queue, boolean stopped) {
        dropped.increment();
        // the first drop, then every 100th: a storm of them must not become a storm of log lines
        if (dropsLogged.getAndIncrement() % 100 == 0) {
            LOG.warnf("dropped an Event: %s (%.0f dropped so far)", stopped ? "the operator is stopping"
                    : queue + " are waiting to be written", dropped.count());
        }
    }

    /** Writes what is queued for up to two seconds more, then stops the senders. */
    @PreDestroy
    void close() {
        senders.shutdown();
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
