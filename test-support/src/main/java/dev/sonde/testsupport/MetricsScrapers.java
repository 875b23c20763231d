package dev.sonde.testsupport;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Scrapers of Sonde's secure metrics listeners as Prometheus is one: a ServiceAccount token (bound or not to the
 * shipped ClusterRole {@code sonde-metrics-reader}) sent as a bearer token, over TLS without verifying the
 * self-signed certificate ({@code insecure_skip_verify}).
 */
public final class MetricsScrapers {

    /** The ClusterRole a Prometheus needs, as shipped. */
    public static final String READER_ROLE_FILE = "config/rbac/metrics-reader-clusterrole.yaml";
    public static final String READER_ROLE = "sonde-metrics-reader";

    private MetricsScrapers() {
    }

    /**
     * A ServiceAccount's token, and the ClusterRoleBinding that gave it the reader role (null when not bound), to
     * delete when done (the namespace's deletion removes the ServiceAccount, not the cluster-scoped binding).
     */
    public record Scraper(String token, String binding, KubernetesClient client) implements AutoCloseable {
        @Override
        public void close() {
            if (binding != null) {
                client.rbac().clusterRoleBindings().withName(binding).delete();
            }
        }
    }

    /** Applies {@code config/rbac/metrics-reader-clusterrole.yaml} from the repository at {@code repoRoot}. */
    public static void installReaderRole(KubernetesClient client, Path repoRoot) {
        try (InputStream in = Files.newInputStream(repoRoot.resolve(READER_ROLE_FILE))) {
            client.load(in).forceConflicts().serverSideApply();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + READER_ROLE_FILE, e);
        }
    }

    /**
     * Creates ServiceAccount {@code name} in {@code namespace}, bound to {@link #READER_ROLE} if {@code reader}, and
     * a one-hour token for it (a TokenRequest, as {@code kubectl create token} makes).
     */
    public static Scraper serviceAccount(KubernetesClient client, String namespace, String name, boolean reader) {
        client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build()).serverSideApply();
        String binding = null;
        if (reader) {
            binding = READER_ROLE + "-" + namespace + "-" + name;
            ClusterRoleBinding crb = new ClusterRoleBindingBuilder()
                    .withNewMetadata().withName(binding).endMetadata()
                    .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                    .withName(READER_ROLE).endRoleRef()
                    .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(namespace).endSubject()
                    .build();
            client.rbac().clusterRoleBindings().resource(crb).serverSideApply();
        }
        String token = client.serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
        return new Scraper(token, binding, client);
    }

    /** GET {@code uri} with the token as bearer (none when null), TLS unverified. */
    public static HttpResponse<String> get(URI uri, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Accept", "text/plain; version=0.0.4");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (HttpClient http = unverifiedTls()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** An HTTP client that speaks TLS but accepts any certificate and host name, as insecure_skip_verify. */
    public static HttpClient unverifiedTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAnything()}, new SecureRandom());
            return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
