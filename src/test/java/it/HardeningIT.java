package it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link HardeningContract} on Open Liberty, through Arquillian. */
@ExtendWith(ArquillianExtension.class)
class HardeningIT extends HardeningContract {

    @Override
    protected boolean decodesEachFrameOnItsOwn() {
        return true;
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }
}
