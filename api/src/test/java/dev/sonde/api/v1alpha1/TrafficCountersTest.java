package dev.sonde.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import org.junit.jupiter.api.Test;

class TrafficCountersTest {

    @Test
    void plusAddsEachCounterAndKeepsAbsentOnlyWhereBothAreAbsent() {
        TrafficCounters a = new TrafficCounters();
        a.setConnectsActive(3L);
        a.setRetransmits(1L);
        TrafficCounters b = new TrafficCounters();
        b.setConnectsActive(4L);
        b.setBytesSent(100L);

        TrafficCounters sum = a.plus(b);

        assertThat(sum.getConnectsActive()).isEqualTo(7L);
        assertThat(sum.getRetransmits()).isEqualTo(1L);
        assertThat(sum.getBytesSent()).isEqualTo(100L);
        assertThat(sum.getDnsQueries()).isNull();
        assertThat(a.getConnectsActive()).as("inputs unchanged").isEqualTo(3L);
    }

    /** A counter added to the class but not to plus would be silently dropped by the operator's merge. */
    @Test
    void plusCoversEveryCounter() throws Exception {
        TrafficCounters ones = new TrafficCounters();
        PropertyDescriptor[] counters = Introspector.getBeanInfo(TrafficCounters.class, Object.class)
                .getPropertyDescriptors();
        for (PropertyDescriptor p : counters) {
            p.getWriteMethod().invoke(ones, 1L);
        }

        TrafficCounters sum = ones.plus(ones);

        assertThat(counters).isNotEmpty();
        for (PropertyDescriptor p : counters) {
            assertThat(p.getReadMethod().invoke(sum)).as(p.getName()).isEqualTo(2L);
        }
    }
}
