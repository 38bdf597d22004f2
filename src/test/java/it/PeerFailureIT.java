package it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PeerFailureContract} on Open Liberty, through Arquillian. */
@ExtendWith(ArquillianExtension.class)
class PeerFailureIT extends PeerFailureContract {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }
}
