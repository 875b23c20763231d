package dev.sonde.securemetrics;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * TokenReview ({@code authentication.k8s.io/v1}) and SubjectAccessReview ({@code authorization.k8s.io/v1}) through
 * the component's own client: its ServiceAccount needs {@code create} on {@code tokenreviews} and
 * {@code subjectaccessreviews} (config/rbac).
 */
public final class KubernetesAccessReviews implements AccessReviews {

    private final KubernetesClient client;

    public KubernetesAccessReviews(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Identity authenticate(String token) {
        TokenReview review = client.resource(new TokenReviewBuilder()
                .withNewSpec().withToken(token).endSpec().build()).create();
        var status = review.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            return Identity.rejected(status == null ? "" : Objects.toString(status.getError(), ""));
        }
        UserInfo user = status.getUser();
        return Identity.of(user.getUsername(), Objects.toString(user.getUid(), ""),
                Optional.ofNullable(user.getGroups()).orElse(List.of()),
                Optional.ofNullable(user.getExtra()).orElse(Map.of()));
    }

    @Override
    public Verdict authorize(Identity identity, String verb, String path) {
        SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(
                new SubjectAccessReviewBuilder().withNewSpec()
                        .withUser(identity.username())
                        .withUid(identity.uid().isEmpty() ? null : identity.uid())
                        .withGroups(identity.groups())
                        .withExtra(identity.extra())
                        .withNewNonResourceAttributes().withVerb(verb).withPath(path).endNonResourceAttributes()
                        .endSpec().build());
        SubjectAccessReviewStatus status = review.getStatus();
        if (status == null) {
            return new Verdict(false, "no status in the SubjectAccessReview");
        }
        return new Verdict(Boolean.TRUE.equals(status.getAllowed()) && !Boolean.TRUE.equals(status.getDenied()),
                Objects.toString(status.getReason(), ""));
    }
}
