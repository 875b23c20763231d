package dev.sonde.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void theTopOwnerThePodsMetadataReveals() {
        var rs = new OwnerReferenceBuilder().withKind("ReplicaSet").withName("cart-7d9f8b6c4").withController(true)
                .build();
        assertThat(Workload.of("cart-7d9f8b6c4-x2x", List.of(rs), Map.of("pod-template-hash", "7d9f8b6c4")))
                .isEqualTo(new Workload("Deployment", "cart"));
        assertThat(Workload.of("p", List.of(rs), Map.of())).isEqualTo(new Workload("ReplicaSet", "cart-7d9f8b6c4"));
        var job = new OwnerReferenceBuilder().withKind("Job").withName("backup-29112320").withController(true).build();
        assertThat(Workload.of("p", List.of(job), Map.of())).isEqualTo(new Workload("CronJob", "backup"));
        var sts = new OwnerReferenceBuilder().withKind("StatefulSet").withName("db").withController(true).build();
        assertThat(Workload.of("db-0", List.of(sts), Map.of()).attributeKey()).isEqualTo("k8s.statefulset.name");
        assertThat(Workload.of("bare", null, null)).isEqualTo(new Workload("Pod", "bare"));
        assertThat(new Workload("Pod", "bare").attributeKey()).isNull();
    }
}
