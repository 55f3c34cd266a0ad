import type { ApplianceTypeSpec } from './types.js';

/** Storage water heaters, gas-fired or electric: metrics a heater lacks (flame current on an electric one) are simply not sent. */
export const waterHeater = {
  type: 'water_heater',
  displayName: { en: 'Water heater', zh: '热水器' },
  metrics: [
    { name: 'tank_temp_c', unit: '°C', type: 'number', valid: [0, 110], typical: [45, 65], description: 'Water temperature in the tank' },
    { name: 'outlet_temp_c', unit: '°C', type: 'number', valid: [0, 110], typical: [40, 60], description: 'Hot water outlet temperature' },
    { name: 'inlet_temp_c', unit: '°C', type: 'number', valid: [0, 50], typical: [5, 25], description: 'Cold water inlet temperature' },
    { name: 'pressure_bar', unit: 'bar', type: 'number', valid: [0, 16], typical: [1, 6], description: 'Tank water pressure' },
    { name: 'flow_lpm', unit: 'L/min', type: 'number', valid: [0, 50], typical: [0, 15], description: 'Hot water draw' },
    { name: 'heater_current_a', unit: 'A', type: 'number', valid: [0, 40], typical: [0, 15], description: 'Heating element current (electric models)' },
    { name: 'flame_current_ua', unit: 'µA', type: 'number', valid: [0, 20], typical: [0, 8], description: 'Flame ionisation current (gas models)' },
    { name: 'co_ppm', unit: 'ppm', type: 'number', valid: [0, 2000], typical: [0, 10], description: 'Carbon monoxide at the appliance (gas models)' },
    { name: 'gas_lel_pct', unit: '%LEL', type: 'number', valid: [0, 100], typical: [0, 2], description: 'Combustible gas near the appliance, percent of the lower explosive limit' },
  ],
  states: [
    { name: 'mode', values: ['standby', 'heating', 'eco', 'boost', 'vacation', 'legionella_cycle'], description: 'Operating mode' },
    { name: 'burner_on', values: 'boolean', description: 'Gas burner is lit (gas models)' },
    { name: 'element_on', values: 'boolean', description: 'Heating element is powered (electric models)' },
  ],
  faults: [
    { code: 'E-GAS-01', faultClass: 'gas', meaning: 'Combustible gas detected near the appliance', severity: 'safety', needsVisit: true, likelyPart: 'gas valve', customerText: { en: 'Gas has been detected near your water heater. Do not use switches or flames, open the windows, leave the home and call the gas emergency line.', zh: '在您的热水器附近检测到燃气泄漏。请勿操作电器开关或使用明火，打开窗户，离开房屋并拨打燃气抢修电话。' } },
    { code: 'E-CO-01', faultClass: 'flue', meaning: 'Carbon monoxide above alarm level', severity: 'safety', needsVisit: true, likelyPart: 'flue pipe', customerText: { en: 'Carbon monoxide has been detected at your water heater. Switch it off, open the windows and leave the room.', zh: '在您的热水器处检测到一氧化碳。请关闭热水器，打开窗户并离开房间。' } },
    { code: 'E-OVH-01', faultClass: 'overheat', meaning: 'Water over temperature, energy cut-off tripped', severity: 'safety', needsVisit: true, likelyPart: 'thermostat', customerText: { en: 'The water in your water heater got too hot and the heater switched off. Take care with hot water taps until it has been checked.', zh: '您的热水器水温过高，已自动关闭。在检查前使用热水时请注意防止烫伤。' } },
    { code: 'E-PRV-01', faultClass: 'pressure', meaning: 'Tank over pressure, relief valve discharging', severity: 'safety', needsVisit: true, likelyPart: 'pressure relief valve', customerText: { en: 'The pressure in your water heater is too high. Switch it off and close the cold water supply.', zh: '您的热水器压力过高。请关闭热水器并关闭冷水进水阀。' } },
    { code: 'E-LEAK-01', faultClass: 'leak', meaning: 'Water under the tank', severity: 'safety', needsVisit: true, likelyPart: 'inner tank', customerText: { en: 'Your water heater is leaking. Switch it off and close the cold water supply.', zh: '您的热水器正在漏水。请关闭热水器并关闭冷水进水阀。' } },
    { code: 'E-IGN-01', faultClass: 'ignition', meaning: 'Burner fails to ignite after three attempts', severity: 'critical', needsVisit: true, likelyPart: 'ignition electrode', customerText: { en: 'Your water heater cannot light its burner; you have no hot water.', zh: '您的热水器无法点火，暂时没有热水。' } },
    { code: 'E-FLM-01', faultClass: 'ignition', meaning: 'Flame lost during operation', severity: 'critical', needsVisit: true, likelyPart: 'flame sensor', customerText: { en: 'The burner of your water heater keeps going out.', zh: '您热水器的燃烧器反复熄火。' } },
    { code: 'E-HTR-01', faultClass: 'heater', meaning: 'Heating element open circuit', severity: 'critical', needsVisit: true, likelyPart: 'heating element', customerText: { en: 'Your water heater is not heating; you have no hot water.', zh: '您的热水器无法加热，暂时没有热水。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Tank temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'NTC temperature sensor', customerText: { en: 'A temperature sensor in your water heater has failed.', zh: '您热水器的温度传感器出现故障。' } },
    { code: 'W-ANO-01', faultClass: 'anode', meaning: 'Sacrificial anode depleted', severity: 'info', needsVisit: true, likelyPart: 'magnesium anode', customerText: { en: 'Your water heater is due for an anode replacement to protect the tank.', zh: '您的热水器需要更换镁棒以保护内胆。' } },
  ],
} as const satisfies ApplianceTypeSpec;
