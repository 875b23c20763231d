package dev.sonde.operator;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Leader election on a Lease in the operator namespace, so a rolling update or a second replica never has two
 * operators writing status. Quarkus Operator SDK activates it in the prod profile only.
 *
 * <p>The SDK's own "exit on stop leading" calls System.exit from inside the shutdown that SIGTERM started,
 * which deadlocks the JVM; so the operator exits itself, and only when leadership is lost while running.
 */
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> { }, LeaderElection::lostLeadership, leader -> { });
        return new LeaderElectionConfiguration(SondeNames.LEADER_LEASE, config.namespace(),
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), null, callbacks, false);
    }

    private static void lostLeadership() {
        if (shuttingDown()) {
            return;
        }
        LOG.error("lost the leader Lease while running; exiting so that a fresh start competes for it again");
        // not on the elector's thread: System.exit waits for shutdown hooks, which stop the elector
        Thread exit = new Thread(() -> System.exit(1), "sonde-lost-leadership-exit");
        exit.setDaemon(true);
        exit.start();
    }

    /** Whether the JVM is already shutting down: a hook can't be added then. */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
