package dev.sonde.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventRecorderTest {

    private static final HasMetadata OBJECT = new ConfigMapBuilder().withNewMetadata().withName("web")
            .withNamespace("shop").withUid("u1").endMetadata().build();

    @Test
    void aReconcileDoesNotWaitForTheWriteAndWhatTheQueueCannotHoldIsCountedAsDropped() throws Exception {
        CountDownLatch apiServerAnswers = new CountDownLatch(1);
        CountDownLatch bothSendersBusy = new CountDownLatch(EventRecorder.SENDERS);
        List<Event> written = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventRecorder recorder = new EventRecorder(event -> {
            bothSendersBusy.countDown();
            try {
                apiServerAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event);
        }, registry, 3);

        // the two senders take one each and block; three wait in the queue; the other five are dropped
        for (int i = 0; i < EventRecorder.SENDERS; i++) {
            recorder.warning(OBJECT, "ConfigPending", "event " + i);
        }
        assertThat(bothSendersBusy.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = EventRecorder.SENDERS; i < 10; i++) {
            recorder.normal(OBJECT, "Monitoring", "event " + i);
        }
        assertThat(written).as("nothing written while the API server doesn't answer").isEmpty();
        assertThat(registry.get("sonde.operator.events.dropped").counter().count()).isEqualTo(5);

        apiServerAnswers.countDown();
        recorder.close();
        assertThat(written).extracting(Event::getNote)
                .containsExactlyInAnyOrder("event 0", "event 1", "event 2", "event 3", "event 4");
        assertThat(written).allSatisfy(e -> {
            assertThat(e.getRegarding().getUid()).isEqualTo("u1");
            assertThat(e.getMetadata().getNamespace()).isEqualTo("shop");
        });
        assertThat(written).filteredOn(e -> e.getNote().equals("event 0")).singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    }
}
