package dev.sonde.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jboss.logging.Logger;

/** Writes Kubernetes Events (events.k8s.io/v1) about Sonde objects; a failure to record is logged, never thrown. */
@ApplicationScoped
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(ZoneOffset.UTC);
    public static final String CONTROLLER = "sonde.dev/operator";

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
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
        try {
            client.resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record event %s on %s/%s: %s", reason, namespace, object.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
