// The parts of undici the client uses, loaded from their own modules. undici's index loads all of undici
// (fetch, WebSocket, caches, mocks: 1.3 MB bundled) and, through `globalThis.Headers`, makes Node load its own
// internal undici as well; the client needs two dispatchers and `request()`. A bundle of nothing but either
// import, Node 20, medians of 15 starts: the index +64 ms over bare Node, these modules +28 ms. (The action
// still loads the index: @actions/core's OIDC client imports it.)
// The index also adds `request()` and the rest of the API to Dispatcher.prototype; done here the same way, so
// these dispatchers are the ones the index gives (the same class: one module of one undici copy).
import type { Agent as AgentClass, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici'
import api from 'undici/lib/api/index.js'
import agent from 'undici/lib/dispatcher/agent.js'
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import envHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'

Object.assign(Dispatcher.prototype, api)

export const Agent = agent as typeof AgentClass
export const EnvHttpProxyAgent = envHttpProxyAgent as typeof EnvHttpProxyAgentClass
