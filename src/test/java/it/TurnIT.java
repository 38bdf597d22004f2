package it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TurnContract} on the Liberty test server, whose jvm.options hold its settings. */
@ExtendWith(ArquillianExtension.class)
class TurnIT extends TurnContract {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }
}
